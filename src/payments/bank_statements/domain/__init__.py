"""The pure rules of bank statements: reading camt XML, and matching credits."""
