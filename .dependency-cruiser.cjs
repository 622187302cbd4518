// Layer rules, checked by `npm run lint` (dependency-cruiser). The domain is the core; use cases depend on it
// and on the ports they declare; adapters implement ports and drive use cases; only src/config knows them all.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'The domain imports nothing but itself: no framework, no Node module, no package.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { pathNot: '^src/domain/' },
    },
    {
      name: 'application-needs-only-the-domain',
      comment: 'Use cases import the domain, each other’s ports and inversify’s decorators; I/O goes through ports.',
      severity: 'error',
      from: { path: '^src/application/' },
      to: { pathNot: ['^src/(application|domain)/', '^node_modules/inversify/'] },
    },
    {
      name: 'inner-layers-know-no-adapter',
      comment: 'The domain and the use cases never import an adapter or the composition.',
      severity: 'error',
      from: { path: '^src/(domain|application)/' },
      to: { path: '^src/(adapters|config)/' },
    },
    {
      name: 'adapters-do-not-compose',
      comment: 'Only src/config builds the object graph; an adapter never imports it.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/config/' },
    },
    {
      name: 'adapters-do-not-use-each-other',
      comment:
        'An adapter does not import another adapter’s code, nor its types: it talks to a port. Shared by all: ' +
        'the logger and the dialect check (persistence/dialect.ts).',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: {
        path: '^src/adapters/([^/]+)/',
        pathNot: ['^src/adapters/$1/', '^src/adapters/persistence/dialect\\.ts$', '^src/adapters/logging/logger\\.ts$'],
      },
    },
    {
      name: 'ui-is-a-client',
      comment: 'The web UI talks to the service only through its public JSON API.',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/(domain|application|adapters|config)/' },
    },
    {
      name: 'contract-stands-alone',
      comment: 'The event contract is a package of its own (contract/): it needs nothing but zod.',
      severity: 'error',
      from: { path: '^contract/' },
      to: { pathNot: ['^contract/', '^node_modules/zod/'] },
    },
    {
      name: 'no-circular',
      comment: 'No module needs itself at run time (a cycle through type imports only is erased by the compiler).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    exclude: { path: '^src/ui/vite\\.config' },
  },
};
