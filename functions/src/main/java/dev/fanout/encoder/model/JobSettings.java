package dev.fanout.encoder.model;

import java.util.List;
import java.util.Map;

/**
 * The settings a job was encoded with, recorded in the plan and in job.json: what the upload
 * asked for ({@code given}, its user metadata as read, keys lower case), the preset it named
 * (or null), and the values used after the preset and the stack's parameters filled in the rest.
 * {@code digest} is the part of the job's identity that the settings make ("" when the upload
 * gave none, see {@link dev.fanout.encoder.plan.UploadSettings#digest}).
 *
 * @param ladder         as the ladder setting is written: {@code 720@3500,360@1000}
 * @param codecs         codec ids ({@link VideoCodec#id}), in ladder order
 * @param quality        each codec's CRF-style value, by codec id
 */
public record JobSettings(Map<String, String> given, String preset, String ladder, double segmentSeconds,
                          List<String> codecs, Map<String, Integer> quality, String digest) {}
