package preprocessing_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"

	"github.com/gokeras/gokeras/keras/preprocessing"
)

// Keras's own TextVectorization example: learn a vocabulary, then map texts
// to fixed-length index rows for an Embedding layer.
func ExampleNewTextVectorization() {
	tv, err := preprocessing.NewTextVectorization(preprocessing.MaxTokens(5000), preprocessing.OutputSequenceLength(4))
	if err != nil {
		panic(err)
	}
	if err := tv.Adapt([]string{"foo bar", "bar baz", "baz bada boom"}); err != nil {
		panic(err)
	}
	x, err := tv.Call([]string{"foo qux bar", "qux baz"})
	if err != nil {
		panic(err)
	}
	fmt.Println(tv.Vocabulary())
	fmt.Println(x.Shape(), x.Dtype(), x.Data())
	// Output:
	// [ [UNK] baz bar foo boom bada]
	// (2, 4) int64 [4 1 3 0 1 2 0 0]
}

// Adapt in tf_idf mode also learns one weight per token,
// log(1 + documents / (1 + documents with the token)).
func ExampleTextVectorization_Adapt() {
	tv, err := preprocessing.NewTextVectorization(preprocessing.OutputMode(preprocessing.OutputTFIDF))
	if err != nil {
		panic(err)
	}
	if err := tv.Adapt([]string{"Spam, spam, eggs!", "Eggs and ham.", "spam"}); err != nil {
		panic(err)
	}
	fmt.Println(tv.Vocabulary())
	fmt.Println(tv.IDFWeights())
	// Output:
	// [[UNK] spam eggs ham and]
	// [0.804719 0.6931472 0.6931472 0.91629076 0.91629076]
}

// Bag-of-words rows for a Dense classifier: one column per vocabulary entry.
func ExampleTextVectorization_Call() {
	tv, err := preprocessing.NewTextVectorization(preprocessing.OutputMode(preprocessing.OutputCount))
	if err != nil {
		panic(err)
	}
	if err := tv.Adapt([]string{"win money now", "meeting now", "money money"}); err != nil {
		panic(err)
	}
	x, err := tv.Call([]string{"Money, money, MONEY!", "lunch now?"})
	if err != nil {
		panic(err)
	}
	fmt.Println(tv.Vocabulary())
	fmt.Println(x.Shape(), x.Dtype(), x.Data())
	// Output:
	// [[UNK] money now win meeting]
	// (2, 5) float32 [0 3 0 0 0 1 0 1 0 0]
}

func ExampleTextVectorization_CallRagged() {
	tv, err := preprocessing.NewTextVectorization(preprocessing.NGrams(2))
	if err != nil {
		panic(err)
	}
	if err := tv.Adapt([]string{"new york", "new york city"}); err != nil {
		panic(err)
	}
	rows, err := tv.CallRagged([]string{"New York", "york"})
	if err != nil {
		panic(err)
	}
	fmt.Println(tv.Vocabulary())
	fmt.Println(rows)
	// Output:
	// [ [UNK] york new york new york city city]
	// [[4 2 3] [2]]
}

func ExampleTextVectorization_SetVocabulary() {
	tv, err := preprocessing.NewTextVectorization(preprocessing.OutputMode(preprocessing.OutputTFIDF))
	if err != nil {
		panic(err)
	}
	// Without a leading "[UNK]", its weight is the mean of the others.
	if err := tv.SetVocabulary([]string{"a", "b", "c", "d"}, []float64{0.25, 0.75, 0.6, 0.4}); err != nil {
		panic(err)
	}
	x, err := tv.Call([]string{"a c d d", "d z b z"})
	if err != nil {
		panic(err)
	}
	fmt.Println(tv.IDFWeights())
	fmt.Println(x.Data())
	// Output:
	// [0.5 0.25 0.75 0.6 0.4]
	// [0 0.25 0 0.6 0.8 1 0 0.75 0 0.4]
}

func ExampleTextVectorization_Vocabulary() {
	tv, err := preprocessing.NewTextVectorization(preprocessing.Vocabulary([]string{"earth", "wind", "and", "fire"}))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%q\n", tv.Vocabulary())
	fmt.Printf("%q\n", tv.Vocabulary(preprocessing.IncludeSpecialTokens(false)))
	fmt.Println(tv.VocabularySize())
	// Output:
	// ["" "[UNK]" "earth" "wind" "and" "fire"]
	// ["earth" "wind" "and" "fire"]
	// 6
}

// Save writes a plain JSON document; LoadTextVectorization restores a copy
// that gives the same outputs.
func ExampleTextVectorization_Save() {
	tv, err := preprocessing.NewTextVectorization(preprocessing.MaxTokens(4))
	if err != nil {
		panic(err)
	}
	if err := tv.Adapt([]string{"to be or not to be"}); err != nil {
		panic(err)
	}
	var buf bytes.Buffer
	if err := tv.Save(&buf); err != nil {
		panic(err)
	}
	fmt.Print(buf.String())
	back, err := preprocessing.LoadTextVectorization(&buf)
	if err != nil {
		panic(err)
	}
	rows, err := back.CallRagged([]string{"not to be"})
	if err != nil {
		panic(err)
	}
	fmt.Println(rows)
	// Output:
	// {"class_name":"TextVectorization","format_version":1,"config":{"max_tokens":4,"standardize":"lower_and_strip_punctuation","split":"whitespace","ngrams":null,"output_mode":"int","output_sequence_length":null,"pad_to_max_tokens":false,"sparse":false,"ragged":false,"encoding":"utf-8","vocabulary_size":4,"has_input_vocabulary":false},"vocabulary":["","[UNK]","to","be"],"idf_weights":null}
	// [[1 2 3]]
}

func ExampleLoadTextVectorization() {
	saved := `{"class_name": "TextVectorization", "format_version": 1,
	  "config": {"max_tokens": null, "standardize": "lower", "split": "whitespace", "ngrams": null,
	             "output_mode": "multi_hot", "output_sequence_length": null, "pad_to_max_tokens": false,
	             "sparse": false, "ragged": false, "encoding": "utf-8", "vocabulary_size": 3,
	             "has_input_vocabulary": true},
	  "vocabulary": ["[UNK]", "yes", "no"], "idf_weights": null}`
	tv, err := preprocessing.LoadTextVectorization(strings.NewReader(saved))
	if err != nil {
		panic(err)
	}
	x, err := tv.Call([]string{"YES yes", "maybe"})
	if err != nil {
		panic(err)
	}
	fmt.Println(x.Data())
	// Output:
	// [0 1 0 1 0 0]
}

// Three class folders; .txt files at any depth; other files skipped.
func ExampleTextDatasetFromDirectory() {
	train, val, err := preprocessing.TextDatasetFromDirectory("testdata/text_dataset",
		preprocessing.ValidationSplit(0.25), preprocessing.Subset(preprocessing.SubsetBoth), preprocessing.ShuffleSeed(7))
	if err != nil {
		panic(err)
	}
	fmt.Println(train.ClassNames, len(train.Texts), len(val.Texts))
	fmt.Println(train.Labels.Dtype(), train.Labels.Shape(), train.Labels.Data())
	fmt.Printf("%q %s\n", val.Texts[0], filepath.ToSlash(val.FilePaths[0]))
	// Output:
	// [alpha beta gamma] 6 2
	// int32 (6) [0 1 0 2 0 0]
	// "alpha deeper z" testdata/text_dataset/alpha/sub/deeper/z.txt
}

// A corpus laid out by source (as SpamAssassin's easy_ham, hard_ham, spam,
// ...) becomes a two-class problem with ClassFolders.
func ExampleClassFolders() {
	ds, _, err := preprocessing.TextDatasetFromDirectory("testdata/text_dataset",
		preprocessing.ClassFolders(map[string][]string{"first": {"alpha"}, "rest": {"beta", "gamma"}}),
		preprocessing.LabelMode(preprocessing.LabelsBinary), preprocessing.Shuffling(false))
	if err != nil {
		panic(err)
	}
	fmt.Println(ds.ClassNames, ds.Labels.Shape(), ds.Labels.Data())
	// Output:
	// [first rest] (8, 1) [0 0 0 0 0 1 1 1]
}

// Windows of 3 steps every 2 steps, each with the target of its first step.
func ExampleTimeseriesDatasetFromArray() {
	data := tensor.New(tensor.WithShape(7), tensor.WithBacking([]float64{0, 1, 2, 3, 4, 5, 6}))
	targets := tensor.New(tensor.WithShape(7), tensor.WithBacking([]float64{10, 11, 12, 13, 14, 15, 16}))
	x, y, err := preprocessing.TimeseriesDatasetFromArray(data, targets, 3, preprocessing.SequenceStride(2))
	if err != nil {
		panic(err)
	}
	fmt.Println(x.Shape(), x.Data())
	fmt.Println(y.Shape(), y.Data())
	// Output:
	// (3, 3) [0 1 2 2 3 4 4 5 6]
	// (3) [10 12 14]
}
