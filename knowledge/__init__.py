"""The shipped knowledge base, installed as the package data of ``expert.knowledge``.

Data, not code: nothing in this folder is run as Python.  This empty marker
only lets ``importlib.resources`` find the folder in an editable install.
"""
