"""All that a watch session keeps between builds. Stages never import it."""
