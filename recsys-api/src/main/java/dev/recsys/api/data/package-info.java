/** Data records crossing the backend SPI (primitive arrays), tokenisation, vocabularies and id maps. */
package dev.recsys.api.data;
