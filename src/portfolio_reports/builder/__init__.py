"""Build layer: check the inputs, plan keyed jobs, run them, publish and cross-check a quarter."""
