"""Roads, places and travel times: where an incident is and how soon a unit gets there."""
