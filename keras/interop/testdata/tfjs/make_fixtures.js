// make_fixtures.js builds small TensorFlow.js Layers models, trains each a
// few steps, saves them with tfjs's own save code (model.save through
// tf.io.withSaveHandler, files written with fs) and records tfjs's
// predictions on fixed inputs in predictions.json. keras/interop's tests
// load the saved models and compare gokeras's predictions with these.
//
// Run from this folder after `npm ci`:  node make_fixtures.js
// (uses @tensorflow/tfjs with its pure-JS cpu backend; no tfjs-node).
//
// Besides the models as tfjs saves them, it writes two quantized copies of
// the MLP (float16 and uint8), quantized the way tfjs-converter's
// quantization.py does it (affine range with the zero point nudged onto
// an integer, numpy's round-half-to-even), and loads them back with
// tf.loadLayersModel, so their predictions are tfjs's own dequantization.

'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const OUT = __dirname;

// A small linear congruential generator, so that data and inputs are the
// same on every run.
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function uniform(rand, n, lo, hi) {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}

function tensorOf(rand, shape, lo = -1, hi = 1) {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(uniform(rand, n, lo, hi), shape, 'float32');
}

function intTensor(rand, shape, max) {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.floor(rand() * max);
  return tf.tensor(v, shape, 'float32');
}

function oneHot(rand, rows, classes) {
  const v = new Float32Array(rows * classes);
  for (let i = 0; i < rows; i++) v[i * classes + Math.floor(rand() * classes)] = 1;
  return tf.tensor(v, [rows, classes], 'float32');
}

function toBuffer(weightData) {
  return Buffer.from(tf.io.CompositeArrayBuffer.join(weightData));
}

// writeModel writes model.json and the weight shards the way tfjs's
// converter lays them out: group1-shard{i}of{n}.bin, at most shardBytes
// each.
function writeModel(dir, artifacts, shardBytes) {
  fs.mkdirSync(dir, {recursive: true});
  for (const f of fs.readdirSync(dir)) fs.unlinkSync(path.join(dir, f));
  const data = toBuffer(artifacts.weightData);
  const n = Math.max(1, Math.ceil(data.length / shardBytes));
  const paths = [];
  for (let i = 0; i < n; i++) {
    const name = `group1-shard${i + 1}of${n}.bin`;
    fs.writeFileSync(path.join(dir, name), data.subarray(i * shardBytes, Math.min(data.length, (i + 1) * shardBytes)));
    paths.push(name);
  }
  const json = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{paths, weights: artifacts.weightSpecs}],
  };
  if (artifacts.trainingConfig) json.trainingConfig = artifacts.trainingConfig;
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
}

async function artifactsOf(model, includeOptimizer) {
  let saved;
  await model.save(tf.io.withSaveHandler(async (a) => {
    saved = a;
    return {modelArtifactsInfo: {dateSaved: new Date(), modelTopologyType: 'JSON'}};
  }), {includeOptimizer});
  return saved;
}

// loadDir reads a model written by writeModel (or by gokeras) back into
// tfjs through a custom IOHandler.
async function loadDir(dir) {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const specs = [];
  const bufs = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(bufs);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData,
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      trainingConfig: json.trainingConfig,
    }),
  });
}

async function predictionsOf(model, inputs) {
  let out = model.predict(inputs.length === 1 ? inputs[0] : inputs);
  if (!Array.isArray(out)) out = [out];
  const res = [];
  for (const t of out) res.push({shape: t.shape, data: Array.from(await t.data())});
  return res;
}

async function inputsJSON(inputs) {
  const res = [];
  for (const t of inputs) res.push({shape: t.shape, data: Array.from(await t.data())});
  return res;
}

// roundHalfEven is numpy's np.round.
function roundHalfEven(x) {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

// quantize follows tfjs-converter's quantization.py quantize_weights and
// _get_affine_quantization_range.
function quantize(values, dtype) {
  if (dtype === 'float16') {
    const h = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) h[i] = toHalf(values[i]);
    return {bytes: Buffer.from(h.buffer), meta: {dtype: 'float16'}};
  }
  const quantMax = dtype === 'uint8' ? 255 : 65535;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const q = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  let scale = 1.0;
  if (min !== max) {
    scale = (max - min) / quantMax;
    let nudgedMin = min;
    let nudgedMax = max;
    if (min <= 0 && 0 <= max) {
      const zero = roundHalfEven((0 - min) / scale);
      nudgedMin = -zero * scale;
      nudgedMax = quantMax * scale + nudgedMin;
    }
    for (let i = 0; i < values.length; i++) {
      const c = Math.min(Math.max(values[i], nudgedMin), nudgedMax);
      q[i] = roundHalfEven((c - nudgedMin) / scale);
    }
    min = nudgedMin;
  }
  return {bytes: Buffer.from(q.buffer), meta: {dtype, min, scale}};
}

// toHalf rounds a float32 to the nearest IEEE half (ties to even), as
// numpy's astype(np.float16) does.
function toHalf(x) {
  const f32 = new Float32Array([x]);
  const u = new Uint32Array(f32.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

function writeQuantized(srcDir, dstDir, dtype) {
  const json = JSON.parse(fs.readFileSync(path.join(srcDir, 'model.json'), 'utf8'));
  const bufs = json.weightsManifest[0].paths.map((p) => fs.readFileSync(path.join(srcDir, p)));
  const all = Buffer.concat(bufs);
  let off = 0;
  const out = [];
  const specs = [];
  for (const spec of json.weightsManifest[0].weights) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const raw = all.subarray(off, off + 4 * n);
    off += 4 * n;
    if (spec.dtype !== 'float32' || spec.group === 'optimizer') {
      // tfjs-converter quantizes model weights only, float32 ones for
      // float16.
      out.push(raw);
      specs.push(spec);
      continue;
    }
    const vals = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const {bytes, meta} = quantize(vals, dtype);
    out.push(bytes);
    specs.push(Object.assign({}, spec, {quantization: meta}));
  }
  fs.mkdirSync(dstDir, {recursive: true});
  for (const f of fs.readdirSync(dstDir)) fs.unlinkSync(path.join(dstDir, f));
  fs.writeFileSync(path.join(dstDir, 'group1-shard1of1.bin'), Buffer.concat(out));
  json.weightsManifest = [{paths: ['group1-shard1of1.bin'], weights: specs}];
  fs.writeFileSync(path.join(dstDir, 'model.json'), JSON.stringify(json));
}

async function mlp() {
  const rand = lcg(1);
  const m = tf.sequential({name: 'mlp'});
  m.add(tf.layers.dense({units: 8, activation: 'relu', inputShape: [4], kernelInitializer: tf.initializers.glorotUniform({seed: 1})}));
  m.add(tf.layers.dropout({rate: 0.1}));
  m.add(tf.layers.dense({units: 6, activation: 'tanh', kernelInitializer: tf.initializers.heNormal({seed: 2}),
    kernelRegularizer: tf.regularizers.l2({l2: 0.001})}));
  m.add(tf.layers.dense({units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({seed: 3})}));
  m.compile({optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy']});
  await m.fit(tensorOf(rand, [32, 4]), oneHot(rand, 32, 3), {epochs: 3, batchSize: 8, shuffle: false, verbose: 0});
  return {model: m, inputs: [tensorOf(rand, [5, 4])], includeOptimizer: true, shardBytes: 600};
}

async function functional() {
  const rand = lcg(2);
  const a = tf.input({shape: [4], name: 'a'});
  const b = tf.input({shape: [3], name: 'b'});
  const da = tf.layers.dense({units: 5, activation: 'relu', name: 'da', kernelInitializer: tf.initializers.glorotUniform({seed: 4})}).apply(a);
  const db = tf.layers.dense({units: 5, activation: 'tanh', name: 'db', kernelInitializer: tf.initializers.glorotUniform({seed: 5})}).apply(b);
  const sum = tf.layers.add({name: 'sum'}).apply([da, db]);
  const prod = tf.layers.multiply({name: 'prod'}).apply([da, db]);
  const avg = tf.layers.average({name: 'avg'}).apply([da, db]);
  const hi = tf.layers.maximum({name: 'hi'}).apply([da, db]);
  const lo = tf.layers.minimum({name: 'lo'}).apply([da, db]);
  const cat = tf.layers.concatenate({name: 'cat', axis: -1}).apply([sum, prod, avg, hi, lo]);
  const act = tf.layers.activation({activation: 'sigmoid', name: 'act'}).apply(cat);
  const resh = tf.layers.reshape({targetShape: [5, 5], name: 'resh'}).apply(act);
  const flat = tf.layers.flatten({name: 'flat'}).apply(resh);
  const cls = tf.layers.dense({units: 2, activation: 'softmax', name: 'cls', kernelInitializer: tf.initializers.glorotUniform({seed: 6})}).apply(flat);
  const cos = tf.layers.dot({axes: 1, normalize: true, name: 'cos'}).apply([da, db]);
  const score = tf.layers.dense({units: 1, name: 'score', kernelInitializer: tf.initializers.glorotUniform({seed: 7})}).apply(tf.layers.concatenate({name: 'cat2'}).apply([cos, sum]));
  const m = tf.model({inputs: [a, b], outputs: [cls, score], name: 'two_towers'});
  m.compile({optimizer: tf.train.sgd(0.05), loss: ['categoricalCrossentropy', 'meanSquaredError']});
  await m.fit([tensorOf(rand, [24, 4]), tensorOf(rand, [24, 3])], [oneHot(rand, 24, 2), tensorOf(rand, [24, 1])],
    {epochs: 2, batchSize: 8, shuffle: false, verbose: 0});
  return {model: m, inputs: [tensorOf(rand, [4, 4]), tensorOf(rand, [4, 3])], includeOptimizer: false, shardBytes: 4 << 20};
}

async function cnn() {
  const rand = lcg(3);
  const m = tf.sequential({name: 'cnn'});
  m.add(tf.layers.conv2d({filters: 4, kernelSize: 3, activation: 'relu', inputShape: [8, 8, 1], kernelInitializer: tf.initializers.glorotUniform({seed: 8})}));
  m.add(tf.layers.maxPooling2d({poolSize: 2}));
  m.add(tf.layers.conv2d({filters: 3, kernelSize: [2, 3], strides: 1, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({seed: 9})}));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({seed: 10})}));
  m.compile({optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy'});
  await m.fit(tensorOf(rand, [16, 8, 8, 1]), oneHot(rand, 16, 3), {epochs: 2, batchSize: 8, shuffle: false, verbose: 0});
  return {model: m, inputs: [tensorOf(rand, [3, 8, 8, 1])], includeOptimizer: false, shardBytes: 4 << 20};
}

async function lstm() {
  const rand = lcg(4);
  const m = tf.sequential({name: 'text'});
  m.add(tf.layers.embedding({inputDim: 20, outputDim: 6, inputLength: 7, embeddingsInitializer: tf.initializers.randomUniform({minval: -0.05, maxval: 0.05, seed: 11})}));
  m.add(tf.layers.lstm({units: 5, kernelInitializer: tf.initializers.glorotUniform({seed: 12}), recurrentInitializer: tf.initializers.orthogonal({seed: 13})}));
  m.add(tf.layers.dense({units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({seed: 14})}));
  m.compile({optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy'});
  await m.fit(intTensor(rand, [16, 7], 20), oneHot(rand, 16, 2), {epochs: 3, batchSize: 8, shuffle: false, verbose: 0});
  return {model: m, inputs: [intTensor(rand, [4, 7], 20)], includeOptimizer: false, shardBytes: 4 << 20};
}

// seq: the sequence layers as tfjs writes them: Embedding with
// maskZero (index 0 pads), a Bidirectional GRU (tfjs's GRU is Keras's
// reset_after=false; its gates hard_sigmoid), TimeDistributed Dense, a
// backwards SimpleRNN reading the mask, RepeatVector, Permute.
async function seq() {
  const rand = lcg(6);
  const m = tf.sequential({name: 'seq'});
  m.add(tf.layers.embedding({inputDim: 15, outputDim: 5, inputLength: 6, maskZero: true,
    embeddingsInitializer: tf.initializers.randomUniform({minval: -0.5, maxval: 0.5, seed: 17})}));
  m.add(tf.layers.bidirectional({layer: tf.layers.gru({units: 4, returnSequences: true,
    kernelInitializer: tf.initializers.glorotUniform({seed: 18}), recurrentInitializer: tf.initializers.orthogonal({seed: 19})}),
    mergeMode: 'concat'}));
  m.add(tf.layers.timeDistributed({layer: tf.layers.dense({units: 3, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({seed: 20})})}));
  m.add(tf.layers.simpleRNN({units: 3, goBackwards: true, kernelInitializer: tf.initializers.glorotUniform({seed: 21}),
    recurrentInitializer: tf.initializers.orthogonal({seed: 22})}));
  m.add(tf.layers.repeatVector({n: 2}));
  m.add(tf.layers.permute({dims: [2, 1]}));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({seed: 23})}));
  m.compile({optimizer: tf.train.adam(0.02), loss: 'categoricalCrossentropy'});
  await m.fit(intTensor(rand, [16, 6], 15), oneHot(rand, 16, 2), {epochs: 3, batchSize: 8, shuffle: false, verbose: 0});
  return {model: m, inputs: [intTensor(rand, [4, 6], 15)], includeOptimizer: false, shardBytes: 4 << 20};
}

async function bn() {
  const rand = lcg(5);
  const m = tf.sequential({name: 'bn'});
  m.add(tf.layers.dense({units: 6, inputShape: [4], useBias: false, kernelInitializer: tf.initializers.glorotUniform({seed: 15})}));
  m.add(tf.layers.batchNormalization({momentum: 0.9}));
  m.add(tf.layers.activation({activation: 'relu'}));
  m.add(tf.layers.dense({units: 1, kernelInitializer: tf.initializers.glorotUniform({seed: 16})}));
  m.compile({optimizer: tf.train.rmsprop(0.01), loss: 'meanSquaredError'});
  await m.fit(tensorOf(rand, [32, 4], -2, 3), tensorOf(rand, [32, 1]), {epochs: 4, batchSize: 8, shuffle: false, verbose: 0});
  return {model: m, inputs: [tensorOf(rand, [5, 4], -2, 3)], includeOptimizer: false, shardBytes: 4 << 20};
}

async function main() {
  await tf.setBackend('cpu');
  const predictions = {tfjs_version: tf.version.tfjs, models: {}};
  const makers = {mlp, functional, cnn, lstm, bn, seq};
  for (const name of Object.keys(makers)) {
    const {model, inputs, includeOptimizer, shardBytes} = await makers[name]();
    const art = await artifactsOf(model, includeOptimizer);
    writeModel(path.join(OUT, name), art, shardBytes);
    // What tfjs predicts from the files (the round trip through disk is
    // exact), so that the reference is the saved model.
    const loaded = await loadDir(path.join(OUT, name));
    predictions.models[name] = {inputs: await inputsJSON(inputs), outputs: await predictionsOf(loaded, inputs)};
    if (name === 'mlp') {
      for (const dt of ['float16', 'uint8']) {
        const qname = `mlp_${dt}`;
        writeQuantized(path.join(OUT, name), path.join(OUT, qname), dt);
        const q = await loadDir(path.join(OUT, qname));
        predictions.models[qname] = {inputs: await inputsJSON(inputs), outputs: await predictionsOf(q, inputs)};
      }
    }
  }
  fs.writeFileSync(path.join(OUT, 'predictions.json'), JSON.stringify(predictions, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
