"""The runner: composes the services into the embedded platform or runs one of them."""
