import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import ts from 'typescript';

/** `authsvc-cli`: package.json's bin names the built entry point, which keeps its shebang through the build. */
describe('the authsvc-cli command', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin?: Record<string, string> };

  it('is the bin of the package, pointing at the build of src/config/cli.ts', () => {
    const config = ts.getParsedCommandLineOfConfigFile(
      'tsconfig.build.json',
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    )!;
    const [output] = ts.getOutputFileNames(config, ts.sys.resolvePath('src/config/cli.ts'), false).filter((f) => f.endsWith('.js'));
    expect(output).to.be.a('string');
    expect(ts.sys.resolvePath(pkg.bin?.['authsvc-cli'] ?? '')).to.equal(output);
  });

  it('starts with a shebang that the compiler keeps', () => {
    const source = readFileSync('src/config/cli.ts', 'utf8');
    expect(source.startsWith('#!/usr/bin/env node\n')).to.equal(true);
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.NodeNext, target: ts.ScriptTarget.ES2022 },
    });
    expect(outputText.split('\n')[0]).to.equal('#!/usr/bin/env node');
  });
});
