// check_export.js loads the TensorFlow.js models gokeras exported
// (keras/interop TestExport -update writes testdata/export/*_tfjs) with
// tf.loadLayersModel through a custom IOHandler reading the files, runs
// them on the inputs recorded in testdata/export/gokeras.json and writes
// tfjs's predictions to testdata/export/tfjs.json; TestExport compares
// them with gokeras's.
//
// Run from this folder after `npm ci`:  node check_export.js

'use strict';

const fs = require('fs');
const path = require('path');
const tf = require('@tensorflow/tfjs');

const EXPORT = path.join(__dirname, '..', 'export');

async function loadDir(dir) {
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const specs = [];
  const bufs = [];
  for (const group of json.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) bufs.push(fs.readFileSync(path.join(dir, p)));
  }
  const all = Buffer.concat(bufs);
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      format: json.format,
      generatedBy: json.generatedBy,
      convertedBy: json.convertedBy,
      trainingConfig: json.trainingConfig,
    }),
  });
}

async function main() {
  await tf.setBackend('cpu');
  const refs = JSON.parse(fs.readFileSync(path.join(EXPORT, 'gokeras.json'), 'utf8'));
  const out = {tfjs_version: tf.version.tfjs, models: {}};
  for (const name of Object.keys(refs).sort()) {
    const model = await loadDir(path.join(EXPORT, name + '_tfjs'));
    const inputs = refs[name].inputs.map((a) => tf.tensor(a.data, a.shape, 'float32'));
    let preds = model.predict(inputs.length === 1 ? inputs[0] : inputs);
    if (!Array.isArray(preds)) preds = [preds];
    const outputs = [];
    for (const p of preds) outputs.push({shape: p.shape, data: Array.from(await p.data())});
    out.models[name] = {outputs, layers: model.layers.map((l) => l.getClassName() + ':' + l.name)};
  }
  fs.writeFileSync(path.join(EXPORT, 'tfjs.json'), JSON.stringify(out, null, 1) + '\n');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
