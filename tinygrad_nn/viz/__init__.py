"""Pictures of training runs and models.

`tinygrad_nn.viz.plots` draws PNG files with matplotlib (an optional extra:
`pip install "tinygrad_nn[main]"`). It is imported on its own, not from here, so that
`import tinygrad_nn` never needs matplotlib.
"""
