package serving_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/serving"
)

// ExampleNewServer serves a model held in memory (a linear model y = 2a +
// 3b + 1) and asks for its status and a prediction in the row format, as
// a TF Serving client would. Servers of saved models use serving.Model
// (name, base path) instead of StaticModel.
func ExampleNewServer() {
	m := keras.Sequential(layers.Dense(1, layers.InputShape(2), layers.Name("y")))
	w := []*tensor.Dense{
		tensor.New(tensor.WithShape(2, 1), tensor.WithBacking([]float32{2, 3})),
		tensor.New(tensor.WithShape(1), tensor.WithBacking([]float32{1})),
	}
	if err := m.SetWeights(w); err != nil {
		fmt.Println(err)
		return
	}
	srv, err := serving.NewServer(serving.StaticModel("linear", 1, m), serving.Logger(io.Discard))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ts := httptest.NewServer(srv)
	defer ts.Close()

	get := func(resp *http.Response, err error) {
		if err != nil {
			fmt.Println(err)
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, resp.Header.Get("X-Model-Version"), string(body))
	}
	get(http.Get(ts.URL + "/v1/models/linear"))
	get(http.Post(ts.URL+"/v1/models/linear:predict", "application/json",
		strings.NewReader(`{"instances": [[1, 1], [0.5, -2]]}`)))
	get(http.Post(ts.URL+"/v1/models/linear:predict", "application/json",
		strings.NewReader(`{"inputs": {"dense_input": [[1, 2, 3]]}}`)))
	// Output:
	// 200  {"model_version_status":[{"version":"1","state":"AVAILABLE","status":{"error_code":"OK","error_message":""}}]}
	// 200 1 {"predictions":[[6.0],[-4.0]]}
	// 400  {"error":"inputs: the model has no input \"dense_input\" (its inputs: \"y_input\")"}
}

// ExampleParseBatchingParameters reads a batching parameters file in TF
// Serving's format (--batching_parameters_file).
func ExampleParseBatchingParameters() {
	p, err := serving.ParseBatchingParameters(strings.NewReader(`
max_batch_size { value: 64 }
batch_timeout_micros { value: 1000 }
max_enqueued_batches { value: 100 }
num_batch_threads { value: 2 }
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", p)
	// Output:
	// {MaxBatchSize:64 BatchTimeout:1ms MaxEnqueuedBatches:100 NumBatchThreads:2}
}

// ExampleParseModelConfig reads a model config file in TF Serving's format
// (--model_config_file).
func ExampleParseModelConfig() {
	cfgs, err := serving.ParseModelConfig(strings.NewReader(`
model_config_list {
  config {
    name: "fashion"
    base_path: "/models/fashion"
    model_version_policy { latest { num_versions: 2 } }
    version_labels { key: "stable" value: 3 }
  }
}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range cfgs {
		fmt.Printf("%s %s latest %d, labels %v\n", c.Name, c.BasePath, c.VersionPolicy.Latest, c.VersionLabels)
	}
	// Output:
	// fashion /models/fashion latest 2, labels map[stable:3]
}
