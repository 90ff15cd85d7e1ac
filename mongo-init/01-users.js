// Runs once, as root, when the MongoDB volume is fresh (docker-entrypoint-initdb.d).
// One user per service, with readWrite on its own database only (DESIGN §7), and the
// read-only `auditor` (docs/AUDITING.md). Passwords come from the container environment.
const env = process.env;

function ensureUser(database, user, password, roles) {
  const target = db.getSiblingDB(database);
  if (target.getUser(user) === null) {
    target.createUser({ user: user, pwd: password, roles: roles });
  }
}

ensureUser('auth', 'auth_service', env.MONGO_AUTH_PASSWORD, [{ role: 'readWrite', db: 'auth' }]);
ensureUser('event', 'event_service', env.MONGO_EVENT_PASSWORD, [{ role: 'readWrite', db: 'event' }]);
ensureUser('admin', 'auditor', env.MONGO_AUDITOR_PASSWORD, [
  { role: 'read', db: 'event' },
  { role: 'read', db: 'auth' },
]);
