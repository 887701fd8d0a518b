"""NENA EIDO JSON on the 110 side: documents to and from incidents (pure), validation, routes."""
