// Package interop exchanges models between gokeras, Keras and
// TensorFlow.js, in both directions.
//
// LoadModel reads, recognising the kind of file by its content:
//
//   - Keras 3 .keras archives (metadata.json, config.json,
//     model.weights.h5): the architecture (Sequential and functional,
//     nested models), the weights in saving_lib's layout
//     ("layers/<name>/vars/<i>"), the compile configuration and, for Adam,
//     SGD, RMSprop and Adagrad, the optimizer's state;
//   - legacy Keras HDF5 .h5 models (model_config, model_weights with
//     layer_names and weight_names, also in their split name0/name1 form,
//     training_config);
//   - TensorFlow.js Layers models (model.json and its weight shards,
//     float32 or quantized to float16, uint8 or uint16).
//
// LoadWeights reads weights-only files (.weights.h5, legacy save_weights
// .h5) into a built model. SaveKeras writes a .keras archive that Keras 3
// loads with keras.saving.load_model, SaveKerasWeights a .weights.h5, and
// SaveTFJS a TensorFlow.js Layers model that tf.loadLayersModel loads.
// gokeras's own format (keras.Model.Save) stays the default for gokeras's
// own use.
//
// # Layers
//
// Each Keras layer class has a Converter: how its Keras configuration
// (Keras's keys and defaults) becomes a gokeras layer with options, how
// the layer is written back, and how its weights are reordered or
// reshaped where Keras's layout differs. Every layer gokeras has has one:
// core, merge, convolution, pooling, padding/cropping/upsampling,
// normalization, noise, embedding, recurrent and wrapper layers, and
// nested models (docs/interop.md has the table). ConverterClasses lists them;
// RegisterConverter adds one for a layer of your own or a class gokeras
// gains. A file using a class without a converter fails with an error
// naming the class and RegisterConverter. A configuration key gokeras
// cannot honour (a Dropout noise_shape, a channels_first Flatten) is an
// error naming the key, never dropped silently; settings that only choose
// how Keras computes the same values (a recurrent layer's unroll,
// implementation and use_cudnn) are accepted and not kept.
//
// Keras 2 and TensorFlow.js define hard_sigmoid as clip(0.2x + 0.5, 0, 1),
// Keras 3 (and gokeras's "hard_sigmoid") as relu6(x + 3) / 6; models read
// from Keras 2 and TensorFlow.js files get the former as the activation
// "keras2_hard_sigmoid", which this package registers (the recurrent
// layers' fused cell computes it too: it is TensorFlow.js's default
// recurrent_activation). It is written back to Keras 2 and TensorFlow.js
// files as "hard_sigmoid"; Keras 3 has no such activation, so saving it to
// a .keras archive is an error naming the layer and the key.
//
// # Bad input
//
// Every reader bounds what a file declares by what it holds: JSON
// documents at 64 MiB, the weights a configuration may declare by twice
// the values the file holds (plus 2^20), a TensorFlow.js manifest by the
// size of its shards; HDF5 reading is bounded by keras/internal/hdf5 (see
// docs/hdf5.md). Errors name the file and the problem; no panic escapes.
//
// docs/interop.md describes the formats, the versions the fixtures come
// from, and the workflows (train with Keras on a cluster, serve from Go).
package interop
