"""What runs inside the kernel: page helpers, the chart theme, the dependency log."""
