#!/usr/bin/env node
// Benchmark: raw speed of the flow sampler, on the (near free) camel integrand so the
// flow dominates: sample+density throughput at d = 4 and d = 10 with 1 and 2 threads,
// and the cost per point of an online training step and of a buffered step.
// Usage: npm run bench:flow [-- --points N]. Writes bench/results/flow_speed.json.
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { createSampler, load, machine, root, validateTrainConfig, writeJsonAtomic } from './common.mjs';

const { values } = parseArgs({
  options: {
    points: { type: 'string', default: '200000' },
    out: { type: 'string', default: join(root, 'bench', 'results', 'flow_speed.json') },
  },
});
const points = Number(values.points);
const config = validateTrainConfig({}, 'defaults');
const results = [];
for (const dim of [4, 10]) {
  for (const threads of [1, 2]) {
    const process_ = load(`builtin:camel?d=${dim}`, threads);
    const sampler = createSampler(process_, config, 1);
    await sampler.vegasIteration({ counts: [20000], seed: 1, iteration: 0, damping: 0.7, keep: true, bufferCapacity: 8192 });
    sampler.startFlow();
    const time = async (fn) => { const t = performance.now(); await fn(); return (performance.now() - t) / 1000; };
    await sampler.integrate({ counts: [20000], seed: 1, iteration: 9 }); // warm-up
    const sampleSeconds = await time(() => sampler.integrate({ counts: [points], seed: 1, iteration: 1 }));
    const batch = config.training.batch_size;
    const steps = 10;
    const onlineSeconds = await time(async () => {
      for (let s = 0; s < steps; ++s) await sampler.trainStep({ counts: [batch], seed: 1, step: s, learningRate: 1e-3, loss: 'stratified_variance', bufferCapacity: 8192 });
    });
    const bufferSize = sampler.info().bufferSize;
    const bufferedSeconds = await time(async () => {
      for (let s = 0; s < steps; ++s) await sampler.bufferStep({ learningRate: 1e-3, loss: 'stratified_variance' });
    });
    const row = {
      dim, threads, parameters: sampler.info().parameters,
      sample_density_points_per_second: points / sampleSeconds,
      sample_density_us_per_point: (1e6 * sampleSeconds) / points,
      online_step_us_per_point: (1e6 * onlineSeconds) / (steps * batch),
      buffered_step_us_per_point: (1e6 * bufferedSeconds) / (steps * bufferSize),
      batch_size: batch, buffer_points: bufferSize,
    };
    results.push(row);
    console.log(`d=${dim} threads=${threads}: sample+density ${(row.sample_density_points_per_second / 1e3).toFixed(0)} k points/s (${row.sample_density_us_per_point.toFixed(2)} µs/point), online step ${row.online_step_us_per_point.toFixed(2)} µs/point, buffered step ${row.buffered_step_us_per_point.toFixed(2)} µs/point`);
  }
}
for (const dim of [4, 10]) {
  const [one, two] = results.filter((r) => r.dim === dim);
  console.log(`d=${dim}: thread scaling ×${(two.sample_density_points_per_second / one.sample_density_points_per_second).toFixed(2)} (sampling)`);
}
writeJsonAtomic(values.out, { benchmark: 'flow_speed', date: new Date().toISOString(), ...machine(), config: { flow: config.flow, channel_weights: config.channel_weights }, results });
console.log(`wrote ${values.out}`);
