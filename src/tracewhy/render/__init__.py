"""Renderers: an Analysis in, a string out.  Writing files is the CLI's job."""
