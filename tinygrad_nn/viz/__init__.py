"""Pictures of training runs and models.

`tinygrad_nn.viz.plots` draws PNG files with matplotlib (an optional extra:
`pip install "tinygrad_nn[main]"`). It is imported on its own, not from here, so that
`import tinygrad_nn` never needs matplotlib.
"""

# The graph views need nothing but numpy (draw renders SVG itself; Graphviz only for other
# formats), so they are imported here: tinygrad_nn.viz.to_dot, draw, print_graph, ...
from .graph import BackwardStep, backward_steps, draw, explain_backward, format_graph, print_graph, to_dot
from .graph_examples import EXAMPLES, graph_example
from . import trace as trace_module  # noqa: F401  (created_at, module_names)
from .trace import Trace, record, trace
from .explorer import explore, explorer_html

__all__ = ["to_dot", "draw", "print_graph", "format_graph", "explain_backward", "backward_steps",
           "BackwardStep", "graph_example", "EXAMPLES", "trace", "Trace", "record", "explore",
           "explorer_html"]
