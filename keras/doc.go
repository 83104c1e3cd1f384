// Package keras is gokeras's model API: Sequential models that Compile,
// Fit, Evaluate and Predict, with Summary, weights and training History,
// in the shape Keras users know.
//
//	model := keras.Sequential(
//		layers.Dense(64, layers.Activation("relu"), layers.InputShape(13)),
//		layers.Dense(64, layers.Activation("relu")),
//		layers.Dense(1),
//	)
//	err := model.Compile(keras.Loss("mse"), keras.Optimizer("rmsprop"), keras.Metrics("mae"))
//	history, err := model.Fit(ctx, x, y, keras.Epochs(500), keras.ValidationSplit(0.2), keras.Verbose(0))
//
// Keras's names are accepted wherever Keras accepts them ("relu", "adam",
// "mse", "accuracy"), next to typed values for anything with parameters
// (optimizers.Adam(optimizers.LearningRate(1e-4))).
//
// # Data
//
// Inputs and targets are gorgonia.org/tensor tensors whose first axis is
// the sample axis; any numeric dtype is accepted (uint8 images, float64
// tables) and converted batch by batch to the model's dtype (float32
// unless SetDtype says otherwise). Nothing is copied up front.
//
// # Training semantics
//
// Fit follows Keras: batch size 32 by default, the last batch smaller
// rather than dropped; validation_split takes the LAST rows, before any
// shuffling; the training part is reshuffled every epoch; the training
// loss and metrics of an epoch are running means over its batches (with
// dropout active), validation values are computed after the epoch in
// inference mode and logged with a "val_" prefix. A model's seed (SetSeed)
// decides initial weights, shuffling and dropout masks: the same seed and
// the same calls give bit-identical weights and history. The order and
// masks of epoch e depend only on the seed and e, so a run resumed at
// epoch e with InitialEpoch repeats an uninterrupted one.
//
// # Saving and loading
//
// Save writes a model (architecture, compile configuration, weights and
// training state) and LoadModel reads it back into a model that predicts
// identically and resumes training bit for bit; SaveWeights/LoadWeights
// move weights alone; LoadState restores weights and training state into
// an existing model; ToJSON/ModelFromJSON carry the architecture alone.
// The file is a zip of JSON documents and NumPy .npy tensors (numpy opens
// it as an .npz), written atomically; docs/format.md describes it.
// User-defined layers, activations, losses, metrics and optimizers load
// once registered with their package's Register.
//
// # Under the hood
//
// Each model compiles one Gorgonia graph per (batch size, mode) pair, all
// sharing the same weight tensors, and updates the weights in place with
// gokeras's own optimizers. See docs/architecture.md.
package keras
