/**
 * The layers of src/ (ARCHITECTURE.md), checked by `npm run lint:deps` (part of `npm test`):
 * a module may import its own layer and the layers below it, never one above.
 *
 *   cli        commands: parse options, call a use case, print
 *   app        use cases (integrate, train, generate, launch, baseline, report), output layout
 *   generate, mg5, report       events, the MG5 bridge, the comparison report
 *   integrate, train            Monte Carlo and the training schedule
 *   process    process specs and loading (may ask mg5/locate.ts where MG5 is, for its PDFs)
 *   lhe, cards, mc              file formats; Monte Carlo estimates, point allocation, random streams
 *   native     typed bindings to the C++ core
 *   util, version.ts            no imports from src/
 */
const layer = (dirs) => `(^|/)src/(${dirs.join('|')})(/|\\.ts$)`;

const above = {
  base: ['native', 'lhe', 'cards', 'mc', 'process', 'integrate', 'train', 'generate', 'mg5', 'report', 'gridpack', 'cluster', 'app', 'cli'],
  native: ['lhe', 'cards', 'mc', 'process', 'integrate', 'train', 'generate', 'mg5', 'report', 'gridpack', 'cluster', 'app', 'cli'],
  formats: ['process', 'integrate', 'train', 'generate', 'mg5', 'report', 'gridpack', 'cluster', 'app', 'cli'],
  process: ['integrate', 'train', 'generate', 'report', 'gridpack', 'cluster', 'app', 'cli'],
  compute: ['generate', 'mg5', 'report', 'gridpack', 'cluster', 'app', 'cli'],
  products: ['app', 'cli'],
  app: ['cli'],
};

const rule = (name, from, to, comment) => ({ name, severity: 'error', comment, from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    rule('base-imports-nothing', `${layer(['util'])}|(^|/)src/version\\.ts$`, layer(above.base),
      'util/ and version.ts are the bottom layer: they import nothing from src/'),
    rule('native-below-domain', layer(['native']), layer(above.native), 'native/ binds the C++ core; it knows nothing of processes, training or files'),
    rule('formats-below-process', layer(['lhe', 'cards', 'mc']), layer(above.formats), 'lhe/ and cards/ are file formats, mc/ Monte Carlo statistics'),
    rule('process-below-compute', layer(['process']), layer(above.process), 'process/ loads processes; only mg5/locate.ts (where MG5 is) is allowed above it'),
    {
      name: 'process-uses-only-mg5-locate',
      severity: 'error',
      comment: 'process/ may ask where MG5 is (for its PDF grids), nothing else of mg5/',
      from: { path: layer(['process']) },
      to: { path: layer(['mg5']), pathNot: '(^|/)src/mg5/locate\\.ts$' },
    },
    rule('compute-below-products', layer(['integrate', 'train']), layer(above.compute), 'integrate/ and train/ are the Monte Carlo and training; events, MG5 and reports build on them'),
    rule('products-below-app', layer(['generate', 'mg5', 'report', 'gridpack', 'cluster']), layer(above.products), 'events, the MG5 bridge and the report are used by the use cases, never the reverse'),
    rule('app-below-cli', layer(['app']), layer(above.app), 'use cases do not know the command line'),
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'no import cycles',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
