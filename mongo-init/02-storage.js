// Runs once, as root, when the MongoDB volume is fresh (docker-entrypoint-initdb.d), after
// 01-users.js. Creates every index and auditor view listed in storage.json.
//
// storage.json is the output of `event-reward storage-spec`: the very definitions the
// services create at start (AuthIndexes / EventIndexes), so this folder cannot drift from
// the code — a test compares the file with the command's output. Regenerate it with:
//   swift run event-reward storage-spec > mongo-init/storage.json
const fs = require('fs');
const spec = EJSON.parse(fs.readFileSync('/docker-entrypoint-initdb.d/storage.json', 'utf8'));

for (const database of spec.databases) {
  const target = db.getSiblingDB(database.name);
  for (const collection of database.collections) {
    const result = target.runCommand({ createIndexes: collection.name, indexes: collection.indexes });
    if (result.ok !== 1) {
      throw new Error(`createIndexes ${database.name}.${collection.name}: ${tojson(result)}`);
    }
  }
  const existing = target.getCollectionNames();
  for (const view of database.views) {
    if (!existing.includes(view.name)) {
      target.createView(view.name, view.source, view.pipeline);
    }
  }
}
