"""One module per notebook: its parameter checks, its sentences, its tables and charts."""
