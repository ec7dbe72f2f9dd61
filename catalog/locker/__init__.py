"""Evidence lockers: discover a tree of images and catalogue it with Dask."""
