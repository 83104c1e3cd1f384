package keras

// Version is gokeras's version. Saved files record the version that wrote
// them (metadata.json, gokeras_version).
const Version = "0.1.0-dev"
