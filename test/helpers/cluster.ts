/** Tests start real processes through the same launcher scripts and benchmarks use. */
export * from '../../broker/src/launcher/process-launcher';
