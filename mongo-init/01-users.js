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
// Auditors read everything in `event`, but in `auth` only the password-free
// `user_directory` view and the outbox — never password, refresh-token or secret hashes.
const admin = db.getSiblingDB('admin');
if (admin.getRole('auditAuthViews') === null) {
  admin.createRole({
    role: 'auditAuthViews',
    privileges: [
      { resource: { db: 'auth', collection: 'user_directory' }, actions: ['find'] },
      { resource: { db: 'auth', collection: 'outbox' }, actions: ['find'] },
      { resource: { db: 'auth', collection: '' }, actions: ['listCollections'] },
    ],
    roles: [],
  });
}
ensureUser('admin', 'auditor', env.MONGO_AUDITOR_PASSWORD, [
  { role: 'read', db: 'event' },
  { role: 'auditAuthViews', db: 'admin' },
]);
