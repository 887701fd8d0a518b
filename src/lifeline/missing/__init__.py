"""Missing persons (走失人员): cases searched, reviewed by their risk, appealed to the public and closed after a
safe-and-well check."""
