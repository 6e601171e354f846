"""The conversation corpus (issue 12): scripted multi-turn guest chats with checked outcomes.

``schema`` is the file format, ``validate`` its command-line check, ``runner`` plays one
conversation on a real Box, ``test_corpus`` is the CI gate; see README.md in this directory.
"""
