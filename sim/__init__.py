"""zonesim: a discrete-event simulation of a high-tech zone's innovation ecosystem."""

__version__ = "0.1.0"
