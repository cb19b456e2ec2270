import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

import { packageRoot } from '../../src/native/paths.js';
import { defaultTrainConfig, loadTrainConfig } from '../../src/train/config.js';
import { flowGroups } from '../../src/train/schedule.js';

const dir = mkdtempSync(join(tmpdir(), 'madnis-config-'));
function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('madnis.yaml', () => {
  it('templates/madnis.yaml documents exactly the defaults', () => {
    const template = parse(readFileSync(join(packageRoot, 'templates', 'madnis.yaml'), 'utf8'));
    expect(template).toEqual(defaultTrainConfig());
    expect(loadTrainConfig(join(packageRoot, 'templates', 'madnis.yaml'))).toEqual(defaultTrainConfig());
  });

  it('partial files keep the other defaults', () => {
    const config = loadTrainConfig(write('partial.yaml', 'training:\n  steps: 12\n'));
    expect(config.training.steps).toBe(12);
    expect(config.training.batch_size).toBe(defaultTrainConfig().training.batch_size);
    expect(config.vegas).toEqual(defaultTrainConfig().vegas);
  });

  it('an unknown key names itself and where to look', () => {
    const path = write('unknown.yaml', 'training:\n  stepz: 12\n');
    expect(() => loadTrainConfig(path)).toThrow(/unknown.yaml: training: unknown key 'stepz' \(see templates\/madnis.yaml/);
    expect(() => loadTrainConfig(write('top.yaml', 'vegass: {}\n'))).toThrow(/unknown key 'vegass'/);
  });

  it('a bad value names the key and what is allowed', () => {
    expect(() => loadTrainConfig(write('bad.yaml', 'training:\n  loss: huber\n'))).toThrow(/bad value for 'training.loss': expected one of stratified_variance \| variance \| kl/);
    expect(() => loadTrainConfig(write('neg.yaml', 'vegas:\n  bins: -3\n'))).toThrow(/bad value for 'vegas.bins'/);
    expect(() => loadTrainConfig(write('type.yaml', 'flow:\n  enabled: "yes"\n'))).toThrow(/bad value for 'flow.enabled'/);
  });

  it('broken YAML gives the line', () => {
    expect(() => loadTrainConfig(write('broken.yaml', 'training:\n  steps: 3\n   batch_size: [\n'))).toThrow(/broken.yaml line \d+: invalid YAML/);
  });

  it('a missing file is a clear error', () => {
    expect(() => loadTrainConfig(join(dir, 'nope.yaml'))).toThrow(/cannot read config .*nope.yaml: ENOENT/);
  });
});

describe('explicit keys', () => {
  it('are reported, so launch can tell a default from a choice', async () => {
    const { loadTrainConfigWithKeys } = await import('../../src/train/config.js');
    const { explicit, config } = loadTrainConfigWithKeys(write('explicit.yaml', 'channel_weights:\n  enabled: true\ntraining:\n  steps: 5\n'));
    expect([...explicit].sort()).toEqual(['channel_weights.enabled', 'training.steps']);
    expect(config.training.steps).toBe(5);
    expect(loadTrainConfigWithKeys().explicit.size).toBe(0);
  });
});

describe('symmetric copies can share a flow (flow.share_symmetric_copies)', () => {
  it('on request, a copy samples with its config\'s flow; groups are numbered in channel order', () => {
    const defaults = defaultTrainConfig();
    expect(defaults.flow.share_symmetric_copies).toBe(false);
    const config = { ...defaults, flow: { ...defaults.flow, share_symmetric_copies: true } };
    // channels 2 and 4 copy 1, channel 3 copies 5 (a config after its copy)
    expect(flowGroups(config, [-1, -1, 1, 5, 1, -1])).toEqual([0, 1, 1, 2, 1, 2]);
    expect(flowGroups(config, [-1, -1, -1])).toEqual([]);
    expect(flowGroups({ ...config, flow: { ...config.flow, share_symmetric_copies: false } }, [-1, 0])).toEqual([]);
    expect(flowGroups({ ...config, flow: { ...config.flow, per_channel: false } }, [-1, 0])).toEqual([]);
  });
});
