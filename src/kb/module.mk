# The knowledge base.
