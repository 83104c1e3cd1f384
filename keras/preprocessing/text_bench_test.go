package preprocessing_test

import (
	"testing"

	"github.com/gokeras/gokeras/keras/preprocessing"
)

// BenchmarkTextVectorizationSpamAssassin adapts a 20,000-token int
// vocabulary and a tf_idf one on the SpamAssassin corpus (6046 mails,
// 43 MB) and vectorises it; it skips when the corpus is absent.
func BenchmarkTextVectorizationSpamAssassin(b *testing.B) {
	dir := sharedDataB(b, "spam_assassin")
	ds, _, err := preprocessing.TextDatasetFromDirectory(dir, preprocessing.Formats(""), preprocessing.LabelMode(preprocessing.NoLabels))
	if err != nil {
		b.Fatal(err)
	}
	var bytes int64
	for _, s := range ds.Texts {
		bytes += int64(len(s))
	}
	for _, c := range []struct {
		name string
		opts []preprocessing.TextVectorizationOption
	}{
		{"int", []preprocessing.TextVectorizationOption{preprocessing.MaxTokens(20000), preprocessing.OutputSequenceLength(200)}},
		{"tf_idf", []preprocessing.TextVectorizationOption{preprocessing.MaxTokens(2000), preprocessing.OutputMode(preprocessing.OutputTFIDF)}},
	} {
		b.Run(c.name+"/adapt", func(b *testing.B) {
			b.SetBytes(bytes)
			for i := 0; i < b.N; i++ {
				tv, err := preprocessing.NewTextVectorization(c.opts...)
				if err != nil {
					b.Fatal(err)
				}
				if err := tv.Adapt(ds.Texts); err != nil {
					b.Fatal(err)
				}
			}
		})
		tv, err := preprocessing.NewTextVectorization(c.opts...)
		if err != nil {
			b.Fatal(err)
		}
		if err := tv.Adapt(ds.Texts); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/call", func(b *testing.B) {
			b.SetBytes(bytes)
			for i := 0; i < b.N; i++ {
				if _, err := tv.Call(ds.Texts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
