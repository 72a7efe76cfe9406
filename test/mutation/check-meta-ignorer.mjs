// Stryker ignorer `check-meta`: leaves unmutated the parts of a check's definition that other tests
// judge, not the check's own tables (docs/testing.md, "What is not mutated"):
// - `id`, `title`, `area`: the engine's report model, `vfio-doctor list` and the golden reports, which
//   run the built dist/ that a mutant never reaches;
// - `reports`: test/knowledge.test.ts and test/knowledge/severity.test.ts, which read check sources;
// - `uses`: read by no code (documentation of the facts a check reads when present).
// They are evaluated once, when the module loads, so each of their mutants ("static") would rerun
// every test: ~30 s each, most of a run's time. `needs` and `run` are mutated: the check tables judge
// them (an undeclared skip fails a valid case).
import {PluginKind, declareValuePlugin} from '@stryker-mutator/api/plugin'

const JUDGED_ELSEWHERE = {
  id: 'check id: judged by the report model, `list` and the golden reports (dist/)',
  title: 'check title: judged by the golden reports and `list` (dist/)',
  area: 'check area: judged by the golden reports and `list` (dist/)',
  reports: 'check reports: judged by test/knowledge.test.ts and test/knowledge/severity.test.ts',
  uses: 'check uses: read by no code',
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'check-meta', {
    shouldIgnore(path) {
      if (!path.isObjectProperty() || path.node.computed || path.node.key.type !== 'Identifier') return undefined
      const reason = Object.hasOwn(JUDGED_ELSEWHERE, path.node.key.name) ? JUDGED_ELSEWHERE[path.node.key.name] : undefined
      const call = path.parentPath?.parentPath?.node
      const isDefinition = call?.type === 'CallExpression' && call.callee.type === 'Identifier' && call.callee.name === 'defineCheck' && call.arguments[0] === path.parent
      return isDefinition ? reason : undefined
    },
  }),
]
