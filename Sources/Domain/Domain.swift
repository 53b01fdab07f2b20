/// Domain rules: pure Swift, no I/O, imports nothing of ours.
