export * from '../cluster-state/probe-output.js'
