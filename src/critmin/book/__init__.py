"""What runs the kernels: the page list, staleness, execution, HTML, standalone pages and the command line."""
