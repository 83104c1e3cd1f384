package keras

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// fakeClock advances by step on every reading.
func fakeClock(step time.Duration) func() time.Time {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(step)
		return t
	}
}

func TestProgbarFinishedLine(t *testing.T) {
	var b bytes.Buffer
	p := newProgbar(&b, 1875, 1, fakeClock(1875*time.Millisecond))
	p.update(1875, []kv{{"loss", 0.49601}, {"accuracy", 0.82604}, {"val_loss", 0.0004}}, true)
	want := "1875/1875 [==============================] - 2s 1ms/step - loss: 0.4960 - accuracy: 0.8260 - val_loss: 4.0000e-04\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

func TestProgbarInPlaceOnlyOnTerminal(t *testing.T) {
	var b bytes.Buffer
	p := newProgbar(&b, 100, 1, fakeClock(100*time.Millisecond))
	for i := 1; i < 100; i++ {
		p.update(i, []kv{{"loss", 1}}, false)
	}
	if b.Len() != 0 {
		t.Errorf("a non-terminal got partial bars: %q", b.String())
	}
	p.dynamic = true
	p.update(10, []kv{{"loss", 1.5}}, false)
	got := b.String()
	// 10 steps at 0.1 s = 1 s/step after 1.1 s... ETA from 90 remaining steps.
	if !strings.HasPrefix(got, "\r 10/100 [==>...........................] - ETA: ") || !strings.HasSuffix(got, " - loss: 1.5000") {
		t.Errorf("in-place update %q", got)
	}
}

func TestProgbarVerbose2(t *testing.T) {
	var b bytes.Buffer
	p := newProgbar(&b, 15, 2, fakeClock(2*time.Second))
	p.update(15, []kv{{"loss", 0.25}}, true)
	want := "15/15 - 2s - loss: 0.2500 - 2s/epoch - 133ms/step\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
}

func TestFormatETAAndDurations(t *testing.T) {
	cases := map[float64]string{5.4: "5s", 75: "1:15", 3725: "1:02:05"}
	for sec, want := range cases {
		if got := formatETA(sec); got != want {
			t.Errorf("formatETA(%v) = %q, want %q", sec, got, want)
		}
	}
	durs := map[float64]string{2.4: "2s", 0.0123: "12ms", 0.0000456: "46us", 0: "0s"}
	for sec, want := range durs {
		if got := formatDuration(sec); got != want {
			t.Errorf("formatDuration(%v) = %q, want %q", sec, got, want)
		}
	}
	if thousands(1199882) != "1,199,882" || thousands(65) != "65" || thousands(5121) != "5,121" {
		t.Error("thousands")
	}
}
