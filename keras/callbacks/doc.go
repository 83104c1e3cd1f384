// Package callbacks holds Keras's callbacks for Fit: Lambda,
// EarlyStopping, ModelCheckpoint, CSVLogger, ReduceLROnPlateau,
// LearningRateScheduler, TerminateOnNaN, ProgbarLogger, BackupAndRestore
// (and History, an alias of keras.History, which Fit always installs).
//
//	printDot := callbacks.Lambda{EpochEnd: func(epoch int, _ keras.Logs) {
//		if epoch%80 == 0 {
//			fmt.Println()
//		}
//		fmt.Print(".")
//	}}
//	earlyStop := callbacks.EarlyStopping(callbacks.Monitor("val_loss"), callbacks.Patience(20))
//	history, err := model.Fit(ctx, x, y, keras.Epochs(500), keras.ValidationSplit(0.2), keras.Verbose(0),
//		keras.Callbacks(printDot, earlyStop))
//
// Each constructor is named like the Keras class and returns an exported
// type (EarlyStopping returns *EarlyStoppingCallback). Options are named
// like Keras's keyword arguments and share one Option type; Keras's
// defaults apply. A callback given an option it does not take, or a bad
// value, keeps the error: its Err method returns it, and so does its
// OnTrainBegin hook, so Fit fails before the first epoch.
//
// Callbacks run in the order given, after the progress printer and before
// the history, and share each epoch's Logs: a callback may add keys
// (ReduceLROnPlateau and LearningRateScheduler add "learning_rate"), which
// later callbacks and the history see. A hook's error stops Fit, which
// returns it wrapped with the hook and the epoch. Monitored keys are
// looked up under their Keras aliases too ("val_acc" finds
// "val_accuracy"); a key missing from the logs gives a warning listing the
// available ones (on os.Stderr, or Warnings(w)), or with
// StrictMonitor(true) an error.
//
// docs/callbacks.md lists each callback with its Keras equivalent and
// defaults. This package imports keras; keras never imports it.
package callbacks
