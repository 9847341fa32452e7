/**
 * Verified downloads of the official MovieLens archives: a fixed list with published checksums
 * ({@link dev.recsys.eval.download.MovieLensArchive}), a cache folder, verification before use and
 * zip extraction that refuses entries escaping the target folder.
 */
package dev.recsys.eval.download;
