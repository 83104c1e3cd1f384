// Package serving serves saved gokeras models over TensorFlow Serving's
// REST API, so clients written for TF Serving (curl scripts, the
// tensorflow-serving-api JSON formats, load balancers' health checks) work
// unchanged. cmd/gokeras-serve wraps it in a program with TF Serving's
// flags; docs/serving.md is the user's guide.
//
//	srv, err := serving.NewServer(serving.Model("fashion", "/models/fashion"))
//	...
//	http.ListenAndServe("127.0.0.1:8501", srv)
//
// # Models and versions
//
// A model is a folder of versions, as TF Serving lays them out:
// <base path>/<version>/model.gokeras, the version a folder named by a
// decimal number and the file written by (*keras.Model).Save. The newest
// version is served by default (TF Serving's "latest" policy; ModelConfig
// chooses others). The base paths are polled (PollInterval): a new version
// is loaded while the old one serves, then requests switch to it at once;
// the old version is unloaded after the requests using it have finished.
// A version that fails to load is logged, shown as END with its error in
// the status API, and skipped: the newest version that loads is served. A
// removed version folder unloads its version.
//
// # API
//
//	GET  /v1/models/NAME[/versions/N|/labels/L]            status
//	GET  /v1/models/NAME[/versions/N|/labels/L]/metadata   signature
//	POST /v1/models/NAME[/versions/N|/labels/L]:predict    predictions
//
// Predict takes the row format {"instances": [...]} (each instance the
// input's value, or an object of named inputs) answered with
// {"predictions": [...]}, or the columnar format {"inputs": ...}
// answered with {"outputs": ...}. Numbers are read straight into the
// model's dtype (float32 values rounded once) and written in the shortest
// form that reads back exactly. Errors are TF Serving's {"error": "..."}
// with its HTTP statuses: 400 for a bad request (the message names the
// instance and the position: instances[3][27]: the list has 27 entries,
// expected 28), 404 for an unknown model or version, 503 with Retry-After
// when the queue is full, 500 for a model failure. Responses carry an
// X-Model-Version header naming the version that answered, which TF
// Serving's bodies do not say. /metrics exports Prometheus metrics and
// /healthz says whether every model has a version available.
//
// # Batching
//
// With EnableBatching (or Batching), concurrent requests for the same
// model version wait in a bounded queue and run together, as TF Serving's
// batch scheduler runs them (BatchingParameters: max_batch_size,
// batch_timeout_micros, max_enqueued_batches, num_batch_threads). A
// model computes each row independently of the others, so a batched
// answer is bit for bit the answer the request would get alone.
package serving
