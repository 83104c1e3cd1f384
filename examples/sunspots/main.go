// Command sunspots is the lecture's time-series analysis: the 2018 R keras
// tutorial "Predicting Sunspot Frequency with Keras" (Keydana and Dancho)
// on the monthly mean sunspot numbers of 1749-2013: a square-root and
// z-score transform fitted on the training years, windows cut by
// timeseries_dataset_from_array, LSTMs with dropout and a time-distributed
// dense layer that forecast the next 12 months, and the forecast of the
// held-out years scored against a persistence forecast.
//
//	go run ./examples/sunspots [-data ../shared/data/sunspot_month.csv] [-out out/sunspots]
//
// -data is a CSV with the columns year, month and sunspots (R's
// datasets::sunspot.month). The last -test-years are held out (the
// tutorial's test periods are 50 years); the model learns from the
// -train-years before them (100). The held-out months are forecast a year
// at a time, each year from the -window months before it, so every
// held-out month is forecast once, 1 to 12 months ahead.
//
// Two changes to the tutorial, both measured (docs/walkthroughs/sunspots.md):
// its model emits forecast month j right after reading input month j (an
// LSTM returning sequences, then time_distributed), so each month is in
// effect forecast 12 months ahead; here an encoder LSTM reads the whole
// window, RepeatVector hands its summary to a decoder LSTM for each of the
// 12 months, and a time-distributed dense layer reads them out. And the
// window is 120 months rather than 12, about one solar cycle, so that the
// model sees where in the cycle the forecast starts.
//
// The program writes forecast.png (the actual series and both forecasts)
// and history.png, and ends with one machine-readable line, in sunspot
// numbers:
//
//	RESULT test_rmse=<v> baseline_rmse=<v>
//
// where the baseline is the persistence forecast: each year of held-out
// months predicted as the month before it.
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/pkg/errors"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/examples/internal/figure"
	"github.com/gokeras/gokeras/keras"
	"github.com/gokeras/gokeras/keras/historyplot"
	"github.com/gokeras/gokeras/keras/layers"
	"github.com/gokeras/gokeras/keras/preprocessing"
)

type config struct {
	data       string // CSV with year, month, sunspots
	out        string // folder for the figures
	seed       int64
	trainYears int     // years of training data before the held-out ones (the tutorial: 100)
	testYears  int     // held-out years at the end (the tutorial: 50)
	window     int     // months per input window (the tutorial: 12; here 120)
	steps      int     // months per forecast (the tutorial: 12)
	units      int     // LSTM units (the tutorial: 128)
	dropout    float64 // LSTM dropout and recurrent dropout (the tutorial: 0.2)
	epochs     int     // the tutorial: 100; here 50
	batch      int     // the tutorial: 10
	verbose    int
}

func main() {
	var c config
	flag.StringVar(&c.data, "data", defaultData(), "CSV of monthly sunspot numbers (columns year, month, sunspots)")
	flag.StringVar(&c.out, "out", "out/sunspots", "folder for the figures")
	flag.Int64Var(&c.seed, "seed", 1, "seed of the weights and of the shuffling")
	flag.IntVar(&c.trainYears, "train-years", 100, "years of training data before the held-out years")
	flag.IntVar(&c.testYears, "test-years", 50, "held-out years at the end of the series")
	flag.IntVar(&c.window, "window", 120, "months per input window")
	flag.IntVar(&c.steps, "steps", 12, "months per forecast")
	flag.IntVar(&c.units, "units", 128, "LSTM units")
	flag.Float64Var(&c.dropout, "dropout", 0.2, "LSTM input and recurrent dropout")
	flag.IntVar(&c.epochs, "epochs", 50, "training epochs")
	flag.IntVar(&c.batch, "batch", 10, "batch size")
	flag.IntVar(&c.verbose, "verbose", 2, "Fit's verbosity: 0 silent, 1 progress bar, 2 one line per epoch")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, c); err != nil {
		fmt.Fprintln(os.Stderr, "sunspots:", err)
		os.Exit(1)
	}
}

// defaultData is sunspot_month.csv in the project's shared data folder:
// $GOKERAS_DATA, else ../shared/data from the working directory (the
// project root).
func defaultData() string {
	if d := os.Getenv("GOKERAS_DATA"); d != "" {
		return filepath.Join(d, "sunspot_month.csv")
	}
	return filepath.Join("..", "shared", "data", "sunspot_month.csv")
}

// series is the monthly data: the time of each month in years
// (year + (month-1)/12) and its sunspot number.
type series struct {
	t, v []float64
}

func readSeries(path string) (series, error) {
	f, err := os.Open(path)
	if err != nil {
		return series{}, errors.Wrapf(err, "the sunspot data %s (give -data the CSV of R's sunspot.month: columns year, month, sunspots)", path)
	}
	defer f.Close()
	tab, err := preprocessing.ReadCSV(f)
	if err != nil {
		return series{}, errors.Wrapf(err, "reading %s", path)
	}
	cols, err := tab.Float64("year", "month", "sunspots")
	if err != nil {
		return series{}, errors.Wrapf(err, "%s", path)
	}
	d := cols.Data().([]float64)
	s := series{t: make([]float64, len(d)/3), v: make([]float64, len(d)/3)}
	for i := range s.t {
		s.t[i] = d[3*i] + (d[3*i+1]-1)/12
		if s.v[i] = d[3*i+2]; s.v[i] < 0 || math.IsNaN(s.v[i]) {
			return series{}, errors.Errorf("%s: row %d: sunspot number %v; the transform needs numbers >= 0", path, i+1, s.v[i])
		}
	}
	return s, nil
}

// transform is the tutorial's recipe: step_sqrt, step_center, step_scale,
// with the mean and standard deviation of the training months.
type transform struct{ mean, sd float64 }

func (tr transform) apply(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = (math.Sqrt(x) - tr.mean) / tr.sd
	}
	return out
}

// invert undoes apply; a forecast below the square root of 0 is 0 sunspots.
func (tr transform) invert(z float64) float64 {
	r := z*tr.sd + tr.mean
	if r < 0 {
		return 0
	}
	return r * r
}

func column(v []float64) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(v), 1), tensor.WithBacking(append([]float64(nil), v...)))
}

// windows cuts z into the input windows (n, window, 1) and the horizon
// months after each, (n, horizon, 1), with timeseries_dataset_from_array:
// window k holds z[k*stride .. k*stride+window-1] and its target the
// following horizon months.
func windows(z []float64, window, horizon, stride int) (x, y *tensor.Dense, err error) {
	if len(z) < window+horizon {
		return nil, nil, errors.Errorf("%d months cannot hold a window of %d months and the %d months after it", len(z), window, horizon)
	}
	opt := preprocessing.SequenceStride(stride)
	if x, _, err = preprocessing.TimeseriesDatasetFromArray(column(z[:len(z)-horizon]), nil, window, opt); err != nil {
		return nil, nil, err
	}
	if y, _, err = preprocessing.TimeseriesDatasetFromArray(column(z[window:]), nil, horizon, opt); err != nil {
		return nil, nil, err
	}
	return x, y, nil
}

// ym formats a month's time in years as year-month.
func ym(t float64) string {
	y := math.Floor(t + 1e-9)
	return fmt.Sprintf("%.0f-%02.0f", y, math.Round((t-y)*12)+1)
}

func rmse(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		d := a[i] - b[i]
		s += d * d
	}
	return math.Sqrt(s / float64(len(a)))
}

func run(ctx context.Context, w io.Writer, c config) error {
	start := time.Now()
	if c.trainYears < 1 || c.testYears < 1 || c.steps < 1 || c.units < 1 {
		return errors.Errorf("train-years %d, test-years %d, steps %d and units %d must all be >= 1", c.trainYears, c.testYears, c.steps, c.units)
	}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	s, err := readSeries(c.data)
	if err != nil {
		return err
	}
	nTest, nTrain := 12*c.testYears, 12*c.trainYears
	if nTest+nTrain > len(s.v) {
		return errors.Errorf("%s has %d months; %d training years and %d held-out years need %d", c.data, len(s.v), c.trainYears, c.testYears, nTest+nTrain)
	}
	if nTest%c.steps != 0 || nTrain < 2*c.steps {
		return errors.Errorf("the %d held-out months must be whole forecasts of %d months, and the %d training months hold at least two", nTest, c.steps, nTrain)
	}
	t0 := len(s.v) - nTest // first held-out month
	trainV := s.v[t0-nTrain : t0]
	fmt.Fprintf(w, "%d months, %s to %s; training on %s to %s (%d months), holding out %s to %s (%d months)\n",
		len(s.v), ym(s.t[0]), ym(s.t[len(s.t)-1]), ym(s.t[t0-nTrain]), ym(s.t[t0-1]), nTrain, ym(s.t[t0]), ym(s.t[len(s.t)-1]), nTest)

	// rec_obj <- recipe(value ~ ., df) %>% step_sqrt(value) %>%
	//   step_center(value) %>% step_scale(value) %>% prep()
	sq := make([]float64, len(trainV))
	for i, v := range trainV {
		sq[i] = math.Sqrt(v)
	}
	scaler, err := preprocessing.FitStandard(column(sq))
	if err != nil {
		return err
	}
	tr := transform{scaler.Mean[0], scaler.Scale[0]}
	fmt.Fprintf(w, "transform: sqrt, then center %.4f, scale %.4f\n", tr.mean, tr.sd)
	z := tr.apply(s.v)

	// X_train, y_train: every window of 12 training months and the 12
	// months after it.
	xTrain, yTrain, err := windows(z[t0-nTrain:t0], c.window, c.steps, 1)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "training windows x %v, targets y %v\n", xTrain.Shape(), yTrain.Shape())

	// The tutorial's model:
	// model <- keras_model_sequential() %>%
	//   layer_lstm(units = FLAGS$n_units, input_shape = c(FLAGS$n_timesteps, 1),
	//     dropout = FLAGS$dropout, recurrent_dropout = FLAGS$recurrent_dropout,
	//     return_sequences = TRUE) %>%
	//   time_distributed(layer_dense(units = 1))
	// and here an encoder-decoder that reads the whole window first.
	// model %>% compile(loss = FLAGS$loss, optimizer = optimizer,
	//   metrics = list("mean_squared_error"))
	model := keras.Sequential(
		layers.LSTM(c.units, layers.InputDropout(c.dropout), layers.RecurrentDropout(c.dropout), layers.InputShape(c.window, 1)),
		layers.RepeatVector(c.steps),
		layers.LSTM(c.units, layers.ReturnSequences(true), layers.RecurrentDropout(c.dropout)),
		layers.TimeDistributed(layers.Dense(1)),
	)
	if err := model.SetSeed(c.seed); err != nil {
		return err
	}
	if err := model.Compile(keras.Loss("log_cosh"), keras.Optimizer("adam"), keras.Metrics("mean_squared_error")); err != nil {
		return err
	}
	if err := model.Summary(w); err != nil {
		return err
	}
	// history <- model %>% fit(x = X_train, y = y_train, batch_size = FLAGS$batch_size,
	//   epochs = FLAGS$n_epochs, validation_data = list(X_valid, y_valid), shuffle = !FLAGS$stateful)
	fitStart := time.Now()
	history, err := model.Fit(ctx, xTrain, yTrain, keras.Epochs(c.epochs), keras.BatchSize(c.batch),
		keras.ValidationSplit(0.1), keras.Verbose(c.verbose), keras.ProgressOutput(w))
	if err != nil {
		return err
	}
	fitTime := time.Since(fitStart)
	if err := historyplot.Save(filepath.Join(c.out, "history.png"), history, historyplot.Metrics("loss", "mean_squared_error"),
		historyplot.Title("Sunspots LSTM (scaled series)")); err != nil {
		return err
	}

	// The held-out years, a year at a time from the 12 months before it:
	// windows start every 12 months from t0-12.
	xTest, _, err := windows(z[t0-c.window:], c.window, c.steps, c.steps)
	if err != nil {
		return err
	}
	pred, err := model.Predict(ctx, xTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	p := pred.Data().([]float32)
	if len(p) != nTest {
		return errors.Errorf("%d forecasts for %d held-out months", len(p), nTest)
	}
	forecast := make([]float64, nTest)
	persistence := make([]float64, nTest)
	for i := range forecast {
		forecast[i] = tr.invert(float64(p[i]))
		persistence[i] = s.v[t0+i-i%c.steps-1] // the month before the forecast year
	}
	actual := s.v[t0:]
	mean := 0.0
	for _, v := range trainV {
		mean += v / float64(len(trainV))
	}
	constant := make([]float64, nTest)
	for i := range constant {
		constant[i] = mean
	}
	testRMSE, baseRMSE := rmse(forecast, actual), rmse(persistence, actual)
	fmt.Fprintf(w, "held-out RMSE (sunspots), forecasting %d months from the %d before: LSTM %.2f, persistence %.2f, the training mean (%.1f) %.2f; fit %.1f s\n",
		c.steps, c.window, testRMSE, baseRMSE, mean, rmse(constant, actual), fitTime.Seconds())

	if err := plotForecast(filepath.Join(c.out, "forecast.png"), s, t0, nTrain, forecast, persistence); err != nil {
		return err
	}
	fmt.Fprintf(w, "done in %.1f s; figures in %s\n", time.Since(start).Seconds(), c.out)
	fmt.Fprintf(w, "RESULT test_rmse=%.4f baseline_rmse=%.4f\n", testRMSE, baseRMSE)
	return nil
}

// plotForecast draws the series from the last 20 training years on, the
// LSTM's forecast and the persistence forecast of the held-out months.
func plotForecast(path string, s series, t0, nTrain int, forecast, persistence []float64) error {
	p := plot.New()
	p.Title.Text = "Monthly sunspots: actual, and each held-out year forecast from the months before it"
	p.X.Label.Text = "year"
	p.Y.Label.Text = "mean sunspot number"
	from := max(0, t0-min(nTrain, 12*20))
	xy := func(off int, v []float64) plotter.XYs {
		pts := make(plotter.XYs, len(v))
		for i := range v {
			pts[i].X, pts[i].Y = s.t[off+i], v[i]
		}
		return pts
	}
	actual, err := plotter.NewLine(xy(from, s.v[from:]))
	if err != nil {
		return err
	}
	actual.Color, actual.Width = color.RGBA{90, 90, 90, 255}, vg.Points(1)
	fc, err := plotter.NewLine(xy(t0, forecast))
	if err != nil {
		return err
	}
	fc.Color, fc.Width = color.RGBA{0, 114, 178, 255}, vg.Points(2)
	base, err := plotter.NewLine(xy(t0, persistence))
	if err != nil {
		return err
	}
	base.Color, base.Dashes = color.RGBA{213, 94, 0, 255}, []vg.Length{vg.Points(5), vg.Points(4)}
	p.Add(plotter.NewGrid(), actual, fc, base)
	p.Legend.Add("actual", actual)
	p.Legend.Add("LSTM forecast", fc)
	p.Legend.Add("persistence", base)
	p.Legend.Top, p.Legend.Left = true, true
	wt, err := p.WriterTo(10*vg.Inch, 4*vg.Inch, "png")
	if err != nil {
		return err
	}
	return figure.WriteFile(path, func(w io.Writer) error { _, err := wt.WriteTo(w); return err })
}
