"""The textbook's own library: the layers chapter 5 teaches, and the graphs they draw."""
