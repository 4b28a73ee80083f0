"""The safety policy: the package's own, sealed against every knowledge folder.

``policy.yaml`` holds the ladder, the warning signs and their floors, the
warning voice, the contraindications and what no advice may say;
``lexicon.yaml`` the words the checks read.  ``reading`` turns text into what a
reader sees, ``screen`` reads it against the lexicon, ``sealed`` loads both.
"""
