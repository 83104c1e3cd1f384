// Package imageplot draws grids of images: data with their class names
// (Grid), predictions with the predicted and true classes in blue or red
// (Predictions), a convolution layer's filters (Filters) and one image's
// activations after a layer (FeatureMaps), as the Keras and TensorFlow
// tutorials draw them with matplotlib. Inputs are tensors of any numeric
// dtype; each function returns a Figure to save as PNG or SVG.
//
//	fig, err := imageplot.Grid(trainImages, names, imageplot.First(25))
//	err = fig.Save("first25.png")
//
// Images are magnified by whole factors without smoothing, so that every
// pixel of the data is a square of the figure; captions are set in a 7 x
// 13 pixel font. It lives beside historyplot and modelplot so that the
// keras package does not depend on drawing code.
package imageplot
