"""Reading what owners type: normalisation, entities and their contract, the door every message passes."""
