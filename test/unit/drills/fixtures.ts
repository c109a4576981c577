/** The drills test with the cluster-state model's recorded outputs and builders. */
export * from '../cluster-state/fixtures.js'
