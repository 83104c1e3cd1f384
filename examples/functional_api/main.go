// Command functional_api is the Keras functional-API guide's model with
// several inputs and outputs: it routes support tickets by their title,
// body and tags, predicting a priority and the department that should
// handle them.
//
//	go run ./examples/functional_api [-epochs 2] [-out out/functional_api]
//
// The model, as the guide writes it:
//
//	title_input = keras.Input(shape=(None,), name="title")   # variable-length word ids
//	body_input = keras.Input(shape=(None,), name="body")
//	tags_input = keras.Input(shape=(num_tags,), name="tags") # 12 binary tags
//	title_features = layers.LSTM(128)(layers.Embedding(num_words, 64)(title_input))
//	body_features = layers.LSTM(32)(layers.Embedding(num_words, 64)(body_input))
//	x = layers.concatenate([title_features, body_features, tags_input])
//	priority_pred = layers.Dense(1, name="priority")(x)
//	department_pred = layers.Dense(num_departments, name="department")(x)
//
// compiled with RMSprop(1e-3), one loss per output, both from logits
// (binary cross-entropy for the priority, categorical cross-entropy for
// the department), loss weights 1.0 and 0.2, and fitted on the guide's
// dummy data (1,280 tickets: titles of 10 random word ids, bodies of 100,
// random tags, uniform random priorities, random 0/1 department targets)
// for 2 epochs at batch 32. This program also holds 20% of the tickets out
// for validation, so that the losses it reports were not trained on. It
// writes the model diagram (the guide's plot_model call,
// multi_input_and_output_model.png) and the training history, and ends with
// one machine-readable line, the validation losses after the last epoch:
//
//	RESULT priority_loss=<v> department_loss=<v>
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/historyplot"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/losses"
	"github.com/gokeras/gokeras/keras/modelplot"
	"github.com/gokeras/gokeras/keras/optimizers"
)

const (
	numTags        = 12    // number of unique issue tags
	numWords       = 10000 // size of the vocabulary of the text
	numDepartments = 4     // number of departments to route to
	numTickets     = 1280  // the guide's dummy data set
	titleLen       = 10
	bodyLen        = 100
)

type config struct {
	epochs  int
	out     string
	seed    int64
	verbose int
}

func main() {
	var c config
	flag.IntVar(&c.epochs, "epochs", 2, "training epochs")
	flag.StringVar(&c.out, "out", "out/functional_api", "folder for the diagram, the history and the trained model")
	flag.Int64Var(&c.seed, "seed", 42, "seed of the dummy data and of the model (initial weights, shuffling)")
	flag.IntVar(&c.verbose, "verbose", 2, "progress output: 0 silent, 1 bar, 2 one line per epoch")
	flag.Parse()
	if _, err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "functional_api:", err)
		os.Exit(1)
	}
}

// ticketModel builds the guide's model.
func ticketModel() (*keras.Model, error) {
	titleInput := keras.Input([]int{-1}, keras.InputName("title"))
	bodyInput := keras.Input([]int{-1}, keras.InputName("body"))
	tagsInput := keras.Input([]int{numTags}, keras.InputName("tags"))

	// Embed each word in the title and the body into a 64-dimensional vector.
	titleFeatures := layers.Embedding(numWords, 64).Apply(titleInput)
	bodyFeatures := layers.Embedding(numWords, 64).Apply(bodyInput)
	// Reduce the sequence of embedded words of the title to one vector of
	// 128, the body's to one of 32.
	titleFeatures = layers.LSTM(128).Apply(titleFeatures)
	bodyFeatures = layers.LSTM(32).Apply(bodyFeatures)

	// Merge all the features into one large vector by concatenation, and
	// stick a logistic regression for the priority and a department
	// classifier on top.
	x := layers.Concatenate().Apply(titleFeatures, bodyFeatures, tagsInput)
	priority := layers.Dense(1, layers.Name("priority")).Apply(x)
	department := layers.Dense(numDepartments, layers.Name("department")).Apply(x)
	return keras.NewModel(
		[]*keras.Tensor{titleInput, bodyInput, tagsInput},
		[]*keras.Tensor{priority, department},
		keras.OutputNames("priority", "department"))
}

// dummyData draws the guide's random inputs and targets.
func dummyData(seed int64) (inputs, targets map[string]tensor.Tensor) {
	rng := rand.New(rand.NewSource(seed))
	ids := func(n int) *tensor.Dense { // np.random.randint(num_words, size=(1280, n))
		d := make([]int64, numTickets*n)
		for i := range d {
			d[i] = rng.Int63n(numWords)
		}
		return tensor.New(tensor.WithShape(numTickets, n), tensor.WithBacking(d))
	}
	bits := func(n int) *tensor.Dense { // np.random.randint(2, size=(1280, n)).astype("float32")
		d := make([]float32, numTickets*n)
		for i := range d {
			d[i] = float32(rng.Intn(2))
		}
		return tensor.New(tensor.WithShape(numTickets, n), tensor.WithBacking(d))
	}
	title, body, tags := ids(titleLen), ids(bodyLen), bits(numTags)
	prio := make([]float32, numTickets) // np.random.random(size=(1280, 1))
	for i := range prio {
		prio[i] = rng.Float32()
	}
	dept := bits(numDepartments)
	return map[string]tensor.Tensor{"title": title, "body": body, "tags": tags},
		map[string]tensor.Tensor{"priority": tensor.New(tensor.WithShape(numTickets, 1), tensor.WithBacking(prio)), "department": dept}
}

// run trains the model as the guide does and returns it.
func run(ctx context.Context, w io.Writer, c config) (*keras.Model, error) {
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return nil, err
	}
	model, err := ticketModel()
	if err != nil {
		return nil, err
	}
	if err := model.SetSeed(c.seed); err != nil {
		return nil, err
	}
	if err := model.Summary(w); err != nil {
		return nil, err
	}
	// keras.utils.plot_model(model, "multi_input_and_output_model.png", show_shapes=True)
	if err := modelplot.Save(filepath.Join(c.out, "multi_input_and_output_model.png"), model, modelplot.ShowShapes(true)); err != nil {
		return nil, err
	}

	// model.compile(optimizer=keras.optimizers.RMSprop(1e-3),
	//     loss={"priority": keras.losses.BinaryCrossentropy(from_logits=True),
	//           "department": keras.losses.CategoricalCrossentropy(from_logits=True)},
	//     loss_weights={"priority": 1.0, "department": 0.2})
	if err := model.Compile(
		keras.Optimizer(optimizers.RMSprop(optimizers.LearningRate(1e-3))),
		keras.Loss(map[string]any{
			"priority":   losses.BinaryCrossentropy(losses.FromLogits(true)),
			"department": losses.CategoricalCrossentropy(losses.FromLogits(true)),
		}),
		keras.LossWeightsByName(map[string]float64{"priority": 1.0, "department": 0.2})); err != nil {
		return nil, err
	}

	// model.fit({"title": title_data, "body": body_data, "tags": tags_data},
	//     {"priority": priority_targets, "department": dept_targets}, epochs=2, batch_size=32)
	inputs, targets := dummyData(c.seed)
	history, err := model.Fit(ctx, inputs, targets, keras.Epochs(c.epochs), keras.BatchSize(32), keras.ValidationSplit(0.2),
		keras.Verbose(c.verbose), keras.ProgressOutput(w))
	if err != nil {
		return nil, err
	}
	if err := historyplot.Save(filepath.Join(c.out, "history.png"), history, historyplot.Title("ticket model, dummy data")); err != nil {
		return nil, err
	}
	priorityLoss, ok1 := history.Last("val_priority_loss")
	departmentLoss, ok2 := history.Last("val_department_loss")
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("history lacks the validation losses; it has %v", history.Keys())
	}
	if err := model.Save(filepath.Join(c.out, "ticket_model.gokeras")); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "diagram, history and model in %s\n", c.out)
	fmt.Fprintf(w, "RESULT priority_loss=%.4f department_loss=%.4f\n", priorityLoss, departmentLoss)
	return model, nil
}
