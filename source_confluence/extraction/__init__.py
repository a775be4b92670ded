"""Text out of attachment files: the real type from the bytes (`detect`), one reader per format
(`readers`), run in a child process with limits (`worker`, `runner`)."""
