"""The curated content model that the action server, the build script, the review app and the tests share."""
