"""The hosted customer portal: what a session may show and do, and the pages themselves."""
