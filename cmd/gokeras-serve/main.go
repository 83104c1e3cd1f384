// Command gokeras-serve serves saved gokeras models over TensorFlow
// Serving's REST API, with TF Serving's flag names:
//
//	gokeras-serve -model_name fashion -model_base_path /models/fashion -rest_api_port 8501
//	gokeras-serve -model_base_path /models/fashion -port 8501
//	gokeras-serve -model_config_file models.config -enable_batching -batching_parameters_file batching.config
//
// The base path holds one folder per version, named by its number, each
// with a model.gokeras file written by (*keras.Model).Save. Flags may be
// written -flag value, -flag=value or --flag=value. -port is TF Serving's
// gRPC port; gokeras-serve has no gRPC API and takes -port as the REST
// port (giving both -port and -rest_api_port with different values is an
// error). The server stops on SIGINT or SIGTERM after the requests in
// flight have finished. docs/serving.md is the guide.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/gokeras/gokeras/keras/serving"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "gokeras-serve:", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	port, restPort      int
	host                string
	modelName, basePath string
	configFile          string
	enableBatching      bool
	batchingFile        string
	pollSeconds         float64
	timeoutMs           int64
	predictBatchSize    int
	limits              serving.Limits
	readHeaderTimeout   time.Duration
	readTimeout         time.Duration
	writeTimeout        time.Duration
	idleTimeout         time.Duration
	shutdownTimeout     time.Duration
}

func parseFlags(args []string, out io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("gokeras-serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&o.port, "port", 0, "TF Serving's gRPC port; here an alias of -rest_api_port")
	fs.IntVar(&o.restPort, "rest_api_port", 0, "port of the REST API (default 8501)")
	fs.StringVar(&o.host, "rest_api_host", "", "address to listen on (default: every interface)")
	fs.StringVar(&o.modelName, "model_name", "default", "name of the model in URLs (/v1/models/<name>)")
	fs.StringVar(&o.basePath, "model_base_path", "", "folder of the model's versions: <path>/<version>/model.gokeras")
	fs.StringVar(&o.configFile, "model_config_file", "", "TF Serving model config file (text format), instead of -model_name/-model_base_path")
	fs.BoolVar(&o.enableBatching, "enable_batching", false, "batch concurrent requests for the same model version")
	fs.StringVar(&o.batchingFile, "batching_parameters_file", "", "TF Serving batching parameters file (text format); used with -enable_batching")
	fs.Float64Var(&o.pollSeconds, "file_system_poll_wait_seconds", 1, "seconds between scans of the base paths for new versions; 0: scan once at start")
	fs.Int64Var(&o.timeoutMs, "rest_api_timeout_in_ms", 30000, "bound on one predict request, in milliseconds; 0: none")
	fs.IntVar(&o.predictBatchSize, "predict_batch_size", 32, "rows per compiled graph run (bounds the graphs compiled per model version)")
	fs.Int64Var(&o.limits.MaxBodyBytes, "max_body_bytes", 32<<20, "largest request body, in bytes (413 beyond)")
	fs.IntVar(&o.limits.MaxRows, "max_rows_per_request", 4096, "most instances in one predict request (400 beyond)")
	fs.IntVar(&o.limits.MaxDepth, "max_json_depth", 32, "deepest nesting of JSON arrays and objects in a request (400 beyond)")
	fs.IntVar(&o.limits.MaxQueuedRequests, "max_queued_requests", 1024, "requests waiting for a thread when batching is off (503 beyond)")
	fs.DurationVar(&o.readHeaderTimeout, "read_header_timeout", 5*time.Second, "time a client has to send the request headers")
	fs.DurationVar(&o.readTimeout, "read_timeout", 60*time.Second, "time a client has to send the whole request")
	fs.DurationVar(&o.writeTimeout, "write_timeout", 90*time.Second, "time from the end of the request headers to the end of the response")
	fs.DurationVar(&o.idleTimeout, "idle_timeout", 120*time.Second, "time an idle keep-alive connection stays open")
	fs.DurationVar(&o.shutdownTimeout, "shutdown_timeout", 30*time.Second, "time requests in flight have to finish at shutdown")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (flags are -name value or -name=value)", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	switch {
	case set["port"] && set["rest_api_port"] && o.port != o.restPort:
		return nil, fmt.Errorf("-port %d and -rest_api_port %d differ: gokeras-serve has only the REST API; give one of them", o.port, o.restPort)
	case set["port"]:
		o.restPort = o.port
	case !set["rest_api_port"]:
		o.restPort = 8501
	}
	if o.restPort < 0 || o.restPort > 65535 {
		return nil, fmt.Errorf("port %d is out of range", o.restPort)
	}
	if o.configFile != "" && set["model_base_path"] {
		return nil, errors.New("give -model_config_file or -model_base_path, not both")
	}
	if o.configFile == "" && o.basePath == "" {
		return nil, errors.New("no model: give -model_base_path DIR (and -model_name NAME), or -model_config_file FILE")
	}
	if o.pollSeconds < 0 {
		return nil, fmt.Errorf("-file_system_poll_wait_seconds %v is negative", o.pollSeconds)
	}
	return o, nil
}

// serverOptions turns the flags into serving options.
func (o *options) serverOptions(logOut io.Writer) ([]serving.Option, error) {
	opts := []serving.Option{
		serving.Logger(logOut),
		serving.PollInterval(time.Duration(o.pollSeconds * float64(time.Second))),
		serving.RequestTimeout(time.Duration(o.timeoutMs) * time.Millisecond),
		serving.PredictBatchSize(o.predictBatchSize),
		serving.RequestLimits(o.limits),
		serving.EnableBatching(o.enableBatching),
	}
	if o.configFile != "" {
		opts = append(opts, serving.ModelConfigFile(o.configFile))
	} else {
		opts = append(opts, serving.Model(o.modelName, o.basePath))
	}
	if o.batchingFile != "" {
		if !o.enableBatching {
			fmt.Fprintln(logOut, "gokeras-serve: -batching_parameters_file is ignored without -enable_batching")
		} else {
			f, err := os.Open(o.batchingFile)
			if err != nil {
				return nil, err
			}
			p, err := serving.ParseBatchingParameters(f)
			f.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", o.batchingFile, err)
			}
			opts = append(opts, serving.Batching(p))
		}
	}
	return opts, nil
}

// run serves until ctx ends, then shuts down gracefully. ready, when not
// nil, is called with the address listened on.
func run(ctx context.Context, args []string, logOut io.Writer, ready func(addr string)) error {
	o, err := parseFlags(args, logOut)
	if err != nil {
		return err
	}
	opts, err := o.serverOptions(logOut)
	if err != nil {
		return err
	}
	srv, err := serving.NewServer(opts...)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", net.JoinHostPort(o.host, strconv.Itoa(o.restPort)))
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: o.readHeaderTimeout,
		ReadTimeout:       o.readTimeout,
		WriteTimeout:      o.writeTimeout,
		IdleTimeout:       o.idleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
	fmt.Fprintf(logOut, "gokeras-serve: REST API listening on %s\n", ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(logOut, "gokeras-serve: shutting down: waiting for requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	<-errc // http.ErrServerClosed
	return nil
}
