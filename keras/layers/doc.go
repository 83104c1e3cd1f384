// Package layers holds gokeras's layers and the Layer interface they share.
//
// A layer has the four parts Keras gives it:
//
//   - a constructor that stores and validates its options
//     (layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)));
//     a constructor never fails: an invalid argument is kept and reported
//     when the model is built, before any training;
//   - Build, which creates the layer's weights once the input shape is
//     known and returns the output shape;
//   - Forward, which adds the layer's computation to one Gorgonia graph
//     (a model has one graph per batch size and mode, all sharing the
//     weights);
//   - Config, a plain struct that serialises to JSON, from which
//     FromConfig rebuilds the layer.
//
// Shapes exclude the batch axis: InputShape(28, 28) is a 28x28 image, and
// Summary shows it as (None, 28, 28).
//
// Options are named like Keras's keyword arguments (Activation, UseBias,
// KernelInitializer, KernelRegularizer, ActivityRegularizer,
// KernelConstraint, InputShape, Name, ...). Each layer family has its own
// option interface (DenseOption, ConvOption, PoolOption, BatchNormOption,
// ...) and an option several layers take implements each of theirs, so
// the compiler rejects an option given to a layer that has no such
// argument. Activation is both an option (Dense's and the convolutions'
// activation) and a layer.
//
// # Images and sequences
//
// The convolution, pooling, padding, upsampling, normalization and noise
// layers (Conv2D, Conv1D, Conv2DTranspose, DepthwiseConv2D,
// SeparableConv2D, MaxPooling2D, GlobalAveragePooling2D, ZeroPadding2D,
// UpSampling2D, BatchNormalization, LayerNormalization, SpatialDropout2D,
// GaussianNoise, ... and their 1-D twins) are channels last like Keras:
// images (batch, rows, cols, channels), sequences (batch, steps,
// channels). They take Keras 3's arguments with Keras 3's defaults and
// output-length rules; docs/reference/convolution.md lists them.
// Regularizer penalties are added to the model's loss in training and
// evaluation graphs; constraints are attached to the weights and applied
// by the optimizer after each update.
//
// # Sequences
//
// Embedding turns token indices into vectors; SimpleRNN, LSTM and GRU run
// their cell over every time step inside one op of the compiled program
// (weights in Keras's layout, so they exchange with Keras); Bidirectional
// and TimeDistributed wrap other layers; Masking, RepeatVector and Permute
// reshape sequences. A mask made by Embedding(MaskZero(true)) or Masking
// travels beside its tensor through the layers that support masking
// (Dense, Dropout, Activation, TimeDistributed) to the layers that use it
// (the recurrent layers, GlobalAveragePooling1D). A recurrent layer with
// ReturnState, or given initial states, has several outputs or inputs:
// apply it with ApplyAll.
//
// # User-defined layers and saving
//
// A layer of your own embeds Base and implements Layer. For saved models
// that use it to load, register a factory under its class name with
// Register (LoadModel otherwise fails with "unknown layer type X:
// register it with layers.Register"). A layer that keeps state outside
// its weights which changes what training does next (its own random
// stream, say) implements Stateful so that saved models keep it.
package layers
